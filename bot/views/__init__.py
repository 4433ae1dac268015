"""Pure renderers: data and a translator in, text and keyboard out."""
