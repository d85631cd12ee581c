"""Names of AWS resources that ``app.py``, infra and the local stack must agree on.

Plain constants with no imports: ``app.py`` reads them at import time (the Lambda cold start),
so this module must stay free of pydantic, boto3 and the settings.
"""

# The follow-up work queue: ``app.py`` consumes it, infra and the local stack create it (with
# ``<name>-dlq``) under this name.
FOLLOWUPS_QUEUE_NAME = "aftersales-followups"
