"""What the notebook generator reads from book/_config.yml: the repository and branch
that the set-up cell installs `lib` from (and that figures are fetched from)."""
import yaml
from bookkit import BOOK


def book_config(book=BOOK):
    return yaml.safe_load((book / "_config.yml").read_text()) or {}


def repository(config):
    """(https URL of the repository, branch, path of the book inside it)."""
    repo = config.get("repository", {}) or {}
    url = str(repo.get("url", "")).rstrip("/")
    if url.endswith(".git"):
        url = url[:-4]
    return url, str(repo.get("branch") or "main"), str(repo.get("path_to_book") or "book").strip("/")


def install_spec(config):
    """The pip requirement that installs lib from the repository."""
    url, branch, _ = repository(config)
    return f"dlf-lib @ git+{url}@{branch}"
