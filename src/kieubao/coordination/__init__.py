"""Coordination: joint programs with partner agencies, resolutions and indicators, reviews
(sơ kết / tổng kết), situation reports, working delegations, policy notes, officer training."""
