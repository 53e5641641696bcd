"""The guidance hub: start a profile (`new`), describe profiles for editors (`schema`), browse, compare and edit
every organisation's version in a browser (`serve`), and publish the same pages as a static site (`site`)."""
