"""Production sources: models that yield hourly energy and uptime for a plant."""
