"""Team metrics, aggregates only: counters and histograms for a company's dashboards.

Off unless ``[metrics]`` turns on a Prometheus loopback endpoint or an OTLP push. Importing
this package costs nothing: the exporter libraries are imported by the service only when
it starts. The daemon's parts record events with the functions re-exported here:

    from daemon import metrics
    metrics.record_smtp("held", "refused_hold")

Modules: ``labels`` (the label policy), ``instruments`` (what is exported), ``events``
(recording), ``prometheus`` (the scrape endpoint), ``otlp`` (the push), ``store_watch``
(first-response times and promises from the store), ``service`` (the daemon service).
"""

from daemon.metrics.events import (
    record_proxy_scored,
    record_scored,
    record_scored_json,
    record_smtp,
    record_smtp_connection_refused,
    record_upstream_reply,
)

__all__ = ["record_proxy_scored", "record_scored", "record_scored_json", "record_smtp",
           "record_smtp_connection_refused", "record_upstream_reply"]
