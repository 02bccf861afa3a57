"""Two hand-written baselines for the lead-scoring benchmark (issue #6): the same scores as
`marts.fct_lead_scores` from the same landing files and rules, once in pandas (`pandas_scoring`) and
once as one DuckDB statement (`single_sql`); `compare` checks either against a warehouse."""
