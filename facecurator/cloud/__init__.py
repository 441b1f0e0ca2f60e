"""Alibaba Cloud plumbing shared by the OSS source and the cloud detectors.

- :mod:`facecurator.cloud.profiles`: named, non-secret settings (region, endpoints,
  bucket, IMM project, QPS caps, prices) in ``profiles.toml``.
- :mod:`facecurator.cloud.credentials`: AccessKey ID / secret / STS token in the
  OS keyring (or the ``ALIBABA_CLOUD_*`` environment variables).
- :mod:`facecurator.cloud.proxy`: one ``HTTPS_PROXY`` / ``NO_PROXY`` policy for all SDKs.
- :mod:`facecurator.cloud.redact`: masks known secrets in log records and error text.

Importing this package is cheap: no SDK and no keyring is imported here.
"""
