"""The read API over the indexer's database: ``routes`` (HTTP) -> ``crud`` (queries) ->
``schemas`` (responses); ``services`` hold logic worth testing without HTTP or a database."""
