"""Reading mail: anything a sending server hands over is read or refused with a code."""

from email.message import EmailMessage

from hypothesis import given, settings
from hypothesis import strategies as st

from kieubao.inbound import mail


@settings(max_examples=200)
@given(st.binary(max_size=2000))
def test_any_bytes_are_read_or_refused_with_a_reason(raw: bytes) -> None:
    try:
        received = mail.read(raw, envelope_from="someone@example.vn")
    except mail.Refused as exc:
        code = exc.code
    else:
        code = 250
        assert received.message.text.strip() or received.message.files
        assert "@" in received.message.sender
    assert code in (250, 550, 554)


PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))


@given(st.text(PRINTABLE, min_size=1, max_size=300).filter(str.strip))
def test_the_text_of_a_plain_mail_is_kept(text: str) -> None:
    msg = EmailMessage()
    msg["From"], msg["Subject"] = "Mai <mai@example.vn>", ""
    msg.set_content(text)
    received = mail.read(bytes(msg))
    assert received.message.text == text.strip()


def test_html_mail_is_read_as_text_without_its_markup() -> None:
    msg = EmailMessage()
    msg["From"], msg["Subject"] = "mai@example.vn", "Cứu"
    msg.set_content("<p>Tôi cần <b>giúp</b><script>alert(1)</script></p>", subtype="html")
    received = mail.read(bytes(msg))
    assert "<" not in received.message.text and "Tôi cần giúp" in received.message.text
