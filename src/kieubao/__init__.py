"""kieubao: citizens abroad, protection, early warning and community work."""
