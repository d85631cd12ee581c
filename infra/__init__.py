"""The AWS CDK app that deploys the after-sales backend (see docs/deploy.md)."""
