"""Domain logic of the API that needs neither HTTP nor a database."""
