"""HTTP routes; domain errors become HTTP errors here and only here."""
