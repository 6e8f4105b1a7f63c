"""course/bibliography.py: BibTeX entries, citations and the reference list."""
import pytest

from course.bibliography import _plain, cite, load_bib, reference_list

pytest.importorskip("pybtex")

BIB = r"""
@article{one2020,
  title={A {GPU} Study},
  author={Lee, Ann},
  journal={Journal of {ML}},
  year={2020},
  url={https://example.org/a}
}
@inproceedings{two2019,
  title={Pages 1--2 \& more},
  author={Kim, Bo and Smith, Jo},
  booktitle={Proc. Conf},
  year={2019}
}
@book{three2018,
  title={Big Book},
  author={Park, Cy and Kim, Bo and Lee, Ann},
  publisher={Press},
  year={2018}
}
@book{edited,
  title={Collected},
  editor={Ng, Dee},
  year={2001}
}
@misc{nobody,
  title={Anonymous}
}
"""


@pytest.fixture
def bib(tmp_path):
    (tmp_path / "refs.bib").write_text(BIB)
    (tmp_path / "_config.yml").write_text("bibtex_bibfiles: [refs.bib, missing.bib]\n")
    return load_bib(tmp_path)


def test_entries_give_short_authors_year_and_a_reference(bib):
    assert bib["one2020"] == ("Lee", "2020",
                              "Ann Lee (2020). A GPU Study. *Journal of ML*. <https://example.org/a>")
    assert bib["two2019"] == ("Kim and Smith", "2019",
                              "Bo Kim, Jo Smith (2019). Pages 1–2 & more. *Proc. Conf*.")
    assert bib["three2018"][:2] == ("Park et al.", "2018")
    assert bib["three2018"][2] == "Cy Park, Bo Kim, Ann Lee (2018). Big Book. *Press*."
    assert bib["edited"][:2] == ("Ng", "2001")          # editors when there is no author
    assert bib["nobody"] == ("nobody", "n.d.", "nobody (n.d.). Anonymous.")


def test_plain_drops_braces_and_escapes():
    assert _plain(r"{T}he {\&} pages 3--4") == "The & pages 3–4"


def test_cite_t_is_in_the_text_and_cite_p_in_parentheses(bib):
    cited = []
    assert cite(bib, "cite:t", "one2020, three2018", cited) == "Lee (2020), Park et al. (2018)"
    assert cite(bib, "cite:p", "two2019,one2020", cited) == "(Kim and Smith, 2019; Lee, 2020)"
    assert cite(bib, "cite", "unknown", cited) == "(unknown)"   # a key with no entry: as is
    assert cited == ["one2020", "three2018", "two2019", "unknown"]  # first citation order


def test_the_reference_list_holds_the_cited_entries_in_order(bib):
    assert reference_list(bib, ["three2018", "unknown", "one2020"]) == [
        "- Cy Park, Bo Kim, Ann Lee (2018). Big Book. *Press*.",
        "- Ann Lee (2020). A GPU Study. *Journal of ML*. <https://example.org/a>",
    ]
