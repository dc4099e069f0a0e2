"""Governance: the custody register, leaver handover, governors reports, retention."""
