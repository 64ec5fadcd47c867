"""Debian's python3-sentry-sdk against the server: python3 sentry_python.py <dsn> <per site>.

Each event carries the tag corpus_site (the ground truth); grouping never reads tags on its own.
"""
import random
import sys

import sentry_sdk
from sentry_sdk.integrations.logging import LoggingIntegration

from shop.sites import sites

dsn = sys.argv[1]
per_site = int(sys.argv[2]) if len(sys.argv) > 2 else 12

sentry_sdk.init(
    dsn=dsn,
    release="shop@2.4.1",
    environment="production",
    integrations=[LoggingIntegration(event_level="ERROR")],
    default_integrations=True,
)


def main():
    rnd = random.Random(23)
    for _ in range(per_site):
        for name, kind, run in sites(rnd):
            with sentry_sdk.push_scope() as scope:
                scope.set_tag("corpus_site", "sentry-python/" + name)
                if kind == "log":
                    run()
                    continue
                try:
                    run()
                except Exception as error:  # noqa: BLE001 - every failure is reported
                    sentry_sdk.capture_exception(error)
        sentry_sdk.flush(timeout=5)


main()
sentry_sdk.flush(timeout=5)
