"""Warn when the book's launch buttons point at a repository other than this clone's.

The Colab and Binder buttons and the student notebooks' set-up cell use
`repository.url` and `repository.branch` in book/_config.yml. An instructor who forks the
course must change them, or the buttons open the original repository (or none). This
compares the setting with `git remote get-url origin` and prints a warning naming the
setting when they differ or when there is no remote. It never fails the build.
Usage: python tools/check_repository.py
"""
import re
import subprocess
import sys

from course.book import BOOK, book_config, repository


def normalise(url):
    """https://host/owner/name for the https, ssh and scp-like forms of a git URL."""
    url = url.strip().rstrip("/")
    url = re.sub(r"\.git$", "", url)
    m = re.match(r"^(?:ssh://)?git@([^:/]+)[:/](.+)$", url)
    if m:
        url = f"https://{m.group(1)}/{m.group(2)}"
    url = re.sub(r"^http://", "https://", url)
    url = re.sub(r"^https://[^@/]+@", "https://", url)  # drop credentials
    return url.lower()


def origin_url(cwd=BOOK.parent):
    try:
        out = subprocess.run(["git", "remote", "get-url", "origin"], cwd=cwd, text=True,
                             capture_output=True, check=False)
    except FileNotFoundError:
        return None
    return out.stdout.strip() or None


def problem(config, origin):
    """The warning to print, or None when the setting matches the remote."""
    url, branch, _ = repository(config)
    where = "book/_config.yml: repository.url"
    if not url:
        return (f"warning: {where} is not set, so the Colab/Binder buttons and the student "
                "notebooks' set-up cell have no repository to use. Set it to your fork's URL.")
    if origin is None:
        return (f"warning: {where} is {url} (branch {branch}), but this clone has no git "
                "remote 'origin' to compare it with. The launch buttons and the notebooks' "
                "set-up cell will use that repository; set repository.url and "
                "repository.branch to where you publish (see README, 'Publish your own copy').")
    if normalise(url) != normalise(origin):
        return (f"warning: {where} is {url}, but this clone's remote 'origin' is {origin}. "
                "The launch buttons and the notebooks' set-up cell will open the former; "
                "set repository.url (and repository.branch) to your repository, then run "
                "make notebooks (see README, 'Publish your own copy').")
    return None


def main():
    message = problem(book_config(), origin_url())
    if message:
        print(message, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
