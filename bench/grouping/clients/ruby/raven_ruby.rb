# Debian's ruby-sentry-raven (the legacy client) against the server: ruby raven_ruby.rb <dsn> <n>.
# It posts base64(zlib(JSON)) to /api/<id>/store/ with `sentry_version=5`.
require "raven"
require "time"
require_relative "lib/shop"

dsn, per_site = ARGV
Raven.configure do |config|
  config.dsn = dsn
  config.release = "shop@2.4.1"
  config.current_environment = "production"
  config.async = false
  config.silence_ready = true
  config.logger = Logger.new(nil)
end

rnd = Random.new(37)
Integer(per_site || "12").times do
  Shop.sites(rnd).each do |name, kind, run|
    tags = { corpus_site: "raven-ruby/#{name}" }
    if kind == :message
      Raven.capture_message(run.call, level: :warning, tags: tags)
    else
      begin
        run.call
      rescue StandardError => e
        Raven.capture_exception(e, tags: tags)
      end
    end
  end
end
