"""The after-sales backend: everything that ships in the Lambda package."""

import os

# Pydantic looks for plugins by scanning the entry points of every installed distribution the
# first time it builds a model: tens of milliseconds of cold start for plugins this function
# never uses. An operator can still opt in by setting the variable in the function's
# environment.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
