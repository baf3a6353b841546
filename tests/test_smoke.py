def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Qiao" in response.get_data(as_text=True)


def test_signup_login_logout(client, post_form, outbox, sent_mail):
    response = post_form("/auth/signup", {"display_name": "Lin", "email": "Lin@Example.com",
                                          "password": "a-long-unique-phrase"})
    assert response.status_code == 302
    mails = outbox("verify_email")
    assert [m.to_address for m in mails] == ["lin@example.com"]
    assert mails[0].sent_at is not None
    assert sent_mail[0].to == "lin@example.com"
