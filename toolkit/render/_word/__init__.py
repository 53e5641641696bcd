"""The parts of the Word renderer (`toolkit.render.formats.docx`): template spec, styles, body, packaging, checks."""
