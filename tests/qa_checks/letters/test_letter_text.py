from qa_checks.letters.text import line_col, quoted_spans, split_sentences


def test_sentences_keep_offsets_into_the_original_text():
    text = ("Dear Mr A,\n\nWe met on 3 May. Dr. Lee was there, e.g. as a witness!  Next para\nwraps here.\n\n"
            "- a list item")
    sents = split_sentences(text)
    assert all(text[s.start:s.end] == s.text for s in sents)
    assert [s.text for s in sents] == ["Dear Mr A,", "We met on 3 May.", "Dr. Lee was there, e.g. as a witness!",
                                       "Next para\nwraps here.", "- a list item"]


def test_quotes_in_curly_straight_and_block_form_are_found_but_apostrophes_are_not():
    text = "It’s your account. You said “I was kept there”. He said \"go\" and 'stay inside' too.\n> quoted line"
    spans = [text[s:e] for s, e in quoted_spans(text)]
    assert "“I was kept there”" in spans and '"go"' in spans and "'stay inside'" in spans
    assert "> quoted line" in spans and not any("It’s" in s for s in spans)


def test_line_and_column_are_one_based():
    assert line_col("ab\ncd", 3) == (2, 1)
    assert line_col("ab\ncd", 1) == (1, 2)


def test_windows_line_endings_still_separate_paragraphs():
    text = "Dear Ms A,\r\n\r\nWe met.\r\n\r\nThank you"
    assert [s.text for s in split_sentences(text)] == ["Dear Ms A,", "We met.", "Thank you"]
