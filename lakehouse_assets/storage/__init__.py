"""One filesystem layer for landing files, the manifest and every delta-rs call: local paths,
`/Volumes/...` (mounted here), `s3://` (and `s3a://`), `abfss://` / `abfs://` / `az://`, `gs://`.

Built on obstore, the Python binding of the Rust `object_store` crate that delta-rs and Sail
use too: the same environment variables (AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL, AWS_ALLOW_HTTP,
AZURE_STORAGE_ACCOUNT_NAME, GOOGLE_APPLICATION_CREDENTIALS, ...) and the same option keys
(`aws_endpoint`, `aws_allow_http`, `azure_storage_account_key`, ...) configure all three, so a
setting that lists landing files also lets the engine read them and delta-rs commit to them.

- urls: which paths are object storage, and how their URL splits into store and key.
- options: config.json's `storage_options` (with `{env:VAR}` references), resolved at use and
  never shown; `storage_options_for(path)` for delta-rs; the environment Sail reads.
- files: list a root (path, size, mtime), whether a root exists, read a file's bytes.
- errors: object-store failures as errors naming the setting to fix, with no secret in them.
"""
