"""Backend services of the Infrastructure Exchange."""
