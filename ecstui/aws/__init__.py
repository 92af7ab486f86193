"""The only code that talks to AWS. It imports nothing from Textual; the UI consumes its typed models."""
