"""Delivery of the platform's outbox as officers and providers see it: receipts, reports."""
