"""Writes of the crisis domain: each owns its transaction and its audit entry."""

from kieubao.crisis.actions.alerts import evaluate
from kieubao.crisis.actions.ingest import IngestResult, apply_reports, ingest
from kieubao.crisis.actions.setup import acknowledge_alert, save_alert_rule, save_feed_source

__all__ = [
    "IngestResult",
    "acknowledge_alert",
    "apply_reports",
    "evaluate",
    "ingest",
    "save_alert_rule",
    "save_feed_source",
]
