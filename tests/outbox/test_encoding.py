"""Whatever an officer writes reaches the reader as written: any text survives the email
encoding and the SMTP wire, and a recipient's fields fill only their own placeholders."""

import re
import smtplib
from email import message_from_bytes, policy

from hypothesis import given
from hypothesis import strategies as st

from kieubao.platform import channels, outbox
from kieubao.platform.channels.email import _quoted

# Text as people type it, line breaks included; no lone surrogates, no bare carriage returns
# (email normalises line endings, which is not a change of content).
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x0b\x0c"))
line = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1)


@given(subject=line, body=text)
def test_any_subject_and_body_come_back_from_the_wire_unchanged(subject: str, body: str) -> None:
    message = channels.Outgoing(1, "k", "lan@example.vn", subject, body)
    wire = channels.smtp_data(channels.mime_bytes(message, "kieubao@localhost"))
    assert wire.endswith(b"\r\n") and not re.search(rb"(?m)^\.\r\n", wire)
    received = re.sub(rb"(?m)^\.", b"", wire)  # what the server undoes
    parsed = message_from_bytes(received, policy=policy.default)
    assert str(parsed["Subject"]) == subject
    plain = parsed.get_body(("plain",))
    assert plain is not None and plain.get_content().replace("\r\n", "\n") == body


@given(shared=text, name=text)
def test_a_recipients_name_fills_the_placeholder_and_nothing_in_the_shared_text(
    shared: str, name: str
) -> None:
    rendered = outbox.render("notice", "en", {"title": "t", "text": shared})
    body = rendered.body.fill({"name": name})
    assert body.startswith(f"Dear {name},")
    assert shared.strip() in body


def test_an_email_offers_html_beside_the_text_and_a_one_click_way_out() -> None:
    body = "Dear Lan <Ngô>,\n\nReply here:\nhttps://kieubao.example/r/abc?x=1&y=2\n"
    message = channels.Outgoing(
        1, "k", "lan@example.vn", "Bạn có an toàn?", body, "https://kieubao.example/u/tok"
    )
    parsed = message_from_bytes(
        channels.mime_bytes(message, "kieubao@localhost"), policy=policy.default
    )
    assert parsed["List-Unsubscribe"] == "<https://kieubao.example/u/tok>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed.get_content_type() == "multipart/alternative"
    html = parsed.get_body(("html",))
    assert html is not None
    page = html.get_content()
    assert "Dear Lan &lt;Ngô&gt;,</p>" in page
    assert '<a href="https://kieubao.example/r/abc?x=1&amp;y=2">' in page

    plain = channels.Outgoing(2, "k2", "lan@example.vn", "s", "b")
    bare = message_from_bytes(channels.mime_bytes(plain, "kieubao@localhost"))
    assert bare["List-Unsubscribe"] is None and bare["List-Unsubscribe-Post"] is None


@given(
    address=st.from_regex(r"[a-z0-9._+\-ễđ]{1,12}@[a-z0-9.\-]{1,12}", fullmatch=True)
    | st.text(max_size=20)
)
def test_an_address_is_quoted_for_rcpt_as_smtplib_quotes_it(address: str) -> None:
    assert _quoted(address) == smtplib.quoteaddr(address)
