"""The analyst's everyday questions, answered from the warehouse: why a contact has its score
(`explain`), and what a change to the rules would move before it ships (`diff`)."""
