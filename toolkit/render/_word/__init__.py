"""The parts of the Word renderer (`toolkit.render.docx`): template spec, styles, body, packaging, checks."""
