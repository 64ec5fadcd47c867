# Debian's ruby-sentry-ruby against the server: ruby sentry_ruby.rb <dsn> <per site>.
# Run from this directory: its lib/ is the application's code (sentry-ruby's in-app rule).
require "sentry-ruby"
require "time"
require_relative "lib/shop"

dsn, per_site = ARGV
Sentry.init do |config|
  config.dsn = dsn
  config.release = "shop@2.4.1"
  config.environment = "production"
  config.background_worker_threads = 0
  config.send_default_pii = false
end

rnd = Random.new(31)
Integer(per_site || "12").times do
  Shop.sites(rnd).each do |name, kind, run|
    Sentry.with_scope do |scope|
      scope.set_tags(corpus_site: "sentry-ruby/#{name}")
      if kind == :message
        Sentry.capture_message(run.call, level: :warning)
      else
        begin
          run.call
        rescue StandardError => e
          Sentry.capture_exception(e)
        end
      end
    end
  end
end
