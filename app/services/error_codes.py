"""The catalogue of error codes: each stable code, the HTTP statuses it answers with, its meaning.

API clients branch on `error.code`, so this list is part of the contract. A test scans the
sources for every code raised and fails when one is missing here or listed but unused.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorCode:
    """One stable error code: the statuses it can come with and what it means for a client."""

    statuses: tuple[int, ...]
    meaning: str


# A few codes come with more than one status because different endpoints raise them
# (a form field error is 422, the same clash found at save time is 409); both are listed.
# `http_error` has none: it carries whatever unusual status the server answered with.
ERROR_CODES: dict[str, ErrorCode] = {
    "account_disabled": ErrorCode((401, 409), "The account is disabled; it cannot log in or "
                                              "be given a role."),
    "age_confirmation_required": ErrorCode((403,), "The note is for adults 18+: the caller "
                                                   "must confirm being 18 or older first "
                                                   "(`POST /api/v1/me/adult-confirmation`)."),
    "already_entered": ErrorCode((409,), "The note is already entered in the event."),
    "already_member": ErrorCode((409,), "That person is already a member of the organisation."),
    "already_shipped": ErrorCode((422,), "A bulk shipping row's tracking number is already "
                                         "recorded for that order: it shipped before."),
    "already_reported": ErrorCode((409,), "You have already reported this content."),
    "amount_above_maximum": ErrorCode((422,), "The amount is above what the card processor "
                                              "accepts in this currency."),
    "amount_below_minimum": ErrorCode((422,), "The amount is below what the card processor "
                                              "accepts in this currency."),
    "amount_not_chargeable": ErrorCode((422,), "The card processor cannot charge this amount "
                                               "in this currency."),
    "authentication_required": ErrorCode((401,), "Send `Authorization: Bearer <token>`."),
    "bad_request": ErrorCode((400,), "The request could not be understood."),
    "board_name_taken": ErrorCode((409,), "You already have a board with that name."),
    "board_not_found": ErrorCode((404,), "No such board, or not yours."),
    "bulk_shipping_has_errors": ErrorCode((422,), "A bulk shipping file has problems; nothing "
                                                  "was shipped. `fields` names each as "
                                                  "`rows[N].column` (N as a spreadsheet "
                                                  "numbers rows, the header being row 1)."),
    "cannot_disable_self": ErrorCode((409,), "An administrator cannot disable their own "
                                             "account."),
    "cannot_follow_self": ErrorCode((422,), "You cannot follow yourself."),
    "cannot_revoke_own_admin": ErrorCode((409,), "An administrator cannot remove their own "
                                                 "admin role."),
    "cart_full": ErrorCode((422,), "The cart holds as many lines as it can."),
    "client_amount_refused": ErrorCode((422,), "Prices, totals and rates come from the server; "
                                               "leave them out of the request."),
    "cn23_required": ErrorCode((422,), "The parcel's contents are worth more than 300 SDR: print a "
                                       "CN23, not a CN22."),
    "comment_not_found": ErrorCode((404,), "No such comment."),
    "conflict": ErrorCode((409,), "The request conflicts with the current state; reload and "
                                  "retry."),
    "consignment_limit_exceeded": ErrorCode((422,), "The parcel is above the destination's "
                                                    "limit for this kind of shipment."),
    "csrf_failed": ErrorCode((400,), "The form's security token is missing or expired."),
    "currency_locked": ErrorCode((422,), "The store's base currency cannot change once "
                                         "products are priced in it."),
    "currency_mismatch": ErrorCode((422,), "The amount is not in the expected currency."),
    "customs_data_missing": ErrorCode((422,), "An item lacks the HS code, origin or weight a "
                                              "customs form needs."),
    "database_busy": ErrorCode((503,), "The database is busy (a lock not had in time, or a "
                                       "conflict with a concurrent change); nothing was "
                                       "changed. Retry after the Retry-After header's "
                                       "seconds."),
    "domain_error": ErrorCode((422,), "A business rule refused the operation."),
    "duplicate_columns": ErrorCode((422,), "The CSV file names a column twice."),
    "duplicate_item": ErrorCode((422,), "The same SKU and warehouse appear twice in one "
                                        "request."),
    "duplicate_options": ErrorCode((422,), "Two variants have the same option values."),
    "duplicate_sku": ErrorCode((409, 422), "The SKU is already used in this store."),
    "duplicate_warehouse": ErrorCode((409,), "The store already has a warehouse with that "
                                             "name."),
    "email_not_verified": ErrorCode((403,), "Verify your e-mail address before posting."),
    "email_taken": ErrorCode((409,), "An account with that e-mail address exists."),
    "email_unverified": ErrorCode((403,), "Verify your e-mail address before joining an "
                                          "organisation."),
    "empty_cart": ErrorCode((422,), "The cart is empty."),
    "empty_file": ErrorCode((422,), "The uploaded file has no data rows."),
    "empty_query": ErrorCode((422,), "The search query is empty."),
    "event_closed": ErrorCode((409,), "The event has ended and its results are final; it "
                                      "cannot be changed."),
    "event_ended": ErrorCode((409,), "The event has ended: it takes no more participants or "
                                     "entries."),
    "event_not_found": ErrorCode((404,), "No such event."),
    "event_not_started": ErrorCode((409,), "The event has not started; entries open at its "
                                           "start."),
    "event_topic_missing": ErrorCode((422,), "The note does not carry the event's #topic; "
                                             "add it to the note, then enter it."),
    "file_too_large": ErrorCode((422,), "The uploaded file is larger than the endpoint "
                                        "accepts; split it."),
    "forbidden": ErrorCode((403,), "You lack the role for this operation."),
    "glossary_term_exists": ErrorCode((409,), "That name is already in the translation glossary."),
    "glossary_term_not_found": ErrorCode((404,), "No such translation glossary entry."),
    "http_error": ErrorCode((), "An unusual HTTP error; the status line says which."),
    "idempotency_in_progress": ErrorCode((409,), "A request with this Idempotency-Key is still "
                                                 "running; retry shortly."),
    "idempotency_key_required": ErrorCode((422,), "This endpoint needs an Idempotency-Key "
                                                  "header."),
    "idempotency_key_reused": ErrorCode((409,), "The Idempotency-Key was used with a different "
                                                "body."),
    "image_count": ErrorCode((422,), "A note needs a number of images within the allowed "
                                     "range."),
    "import_has_errors": ErrorCode((409,), "The CSV file has errors; fix them or import only "
                                           "the valid rows."),
    "import_not_ready": ErrorCode((409,), "The CSV import is not ready to be applied."),
    "insufficient_balance": ErrorCode((422,), "The advertising balance does not cover this "
                                              "(a campaign budget or partnership fee, or a "
                                              "top-up refund of money already spent)."),
    "insufficient_scope": ErrorCode((403,), "The token lacks the scope this endpoint needs."),
    "insufficient_stock": ErrorCode((409, 422), "Not enough stock is available (422: the "
                                                "warehouse a shipment leaves lacks it)."),
    "internal_error": ErrorCode((500,), "Something went wrong on the server; it was logged."),
    "invalid_address": ErrorCode((422,), "The shipping address is incomplete or invalid."),
    "invalid_card_token": ErrorCode((422,), "The card token was refused by the card "
                                            "processor."),
    "invalid_category": ErrorCode((422,), "Not one of the known categories."),
    "invalid_country": ErrorCode((422,), "Not an ISO 3166 two-letter country code."),
    "invalid_cover": ErrorCode((422,), "The cover must be one of the note's images."),
    "invalid_credentials": ErrorCode((401,), "The e-mail address or password is wrong."),
    "invalid_csv": ErrorCode((422,), "The file is not valid CSV."),
    "invalid_ad_hide": ErrorCode((422,), "The hide request names no sponsored note served to "
                                         "you, or gives no reason from the list."),
    "invalid_cursor": ErrorCode((400, 422), "The `cursor` is not one this list handed out."),
    "invalid_seen_ads": ErrorCode((400,), "`seen_ads` is not a comma-separated list of "
                                          "campaign ids."),
    "invalid_encoding": ErrorCode((422,), "The file's text encoding is not supported."),
    "invalid_amount": ErrorCode((422,), "A money amount is not a plain decimal string with the "
                                        "currency's digits: at most 15 before the point and, "
                                        "in the API, exactly the currency's exponent after it "
                                        "(`19.99` USD, `1500` JPY, `1.250` KWD)."),
    "invalid_event": ErrorCode((400,), "A correctly signed Stripe webhook body that is not a "
                                       "Stripe event (no data.object, a bad id or timestamp)."),
    "invalid_hs_code": ErrorCode((422,), "An HS code is 6 to 10 digits."),
    "invalid_id": ErrorCode((422,), "An id in the body is not a whole number from 1 to "
                                    "2147483647, so it cannot name anything."),
    "invalid_image": ErrorCode((422,), "The image cannot be read or is not an allowed type."),
    "invalid_link": ErrorCode((400,), "The link is invalid."),
    "invalid_mode": ErrorCode((422,), "The stock mode must be `set` or `adjust`."),
    "invalid_moderation_rule": ErrorCode((422,), "A moderation rule (or a line of a rule "
                                                 "CSV) is invalid; `fields` names each bad "
                                                 "field, e.g. a pattern that does not "
                                                 "compile."),
    "invalid_options": ErrorCode((422,), "The variant's options do not match the product's."),
    "invalid_order_transition": ErrorCode((409,), "The order cannot move to that status from "
                                                  "its current one."),
    "invalid_payload": ErrorCode((422,), "The webhook body is JSON but not in a format Qiao "
                                         "accepts."),
    "invalid_product_tag": ErrorCode((422,), "A tagged product does not exist or cannot be "
                                             "tagged."),
    "invalid_quantity": ErrorCode((422,), "The quantity is not a whole number in range."),
    "invalid_return_reason": ErrorCode((422,), "The return reason is not one of the listed "
                                               "reasons."),
    "invalid_return_transition": ErrorCode((409,), "The return cannot take this step from its "
                                                   "current status (e.g. received twice, or "
                                                   "approved after being refused)."),
    "invalid_signature": ErrorCode((400,), "The webhook signature does not match its body."),
    "invalid_sku": ErrorCode((422,), "The SKU has characters or a length that is not "
                                     "allowed."),
    "invalid_slug": ErrorCode((422,), "The store address has characters that are not "
                                      "allowed."),
    "invalid_status": ErrorCode((422,), "Not one of the allowed status values."),
    "invalid_status_transition": ErrorCode((422,), "The product cannot move to that status "
                                                   "from its current one."),
    "invalid_token": ErrorCode((401,), "The bearer token is unknown, revoked or expired."),
    "invalid_leg_kind": ErrorCode((422,), "A shipment leg is first_mile, line_haul, customs "
                                          "or last_mile."),
    "invalid_tracking_number": ErrorCode((422,), "The tracking number does not fit the carrier's "
                                                 "format or check digit."),
    "invitation_email_mismatch": ErrorCode((403,), "The invitation was sent to another e-mail "
                                                   "address."),
    "invitation_expired": ErrorCode((410,), "The invitation has expired."),
    "invitation_gone": ErrorCode((410,), "The invitation can no longer be used."),
    "invitation_not_found": ErrorCode((404,), "No such invitation."),
    "invitation_revoked": ErrorCode((410,), "The invitation was revoked."),
    "invitation_used": ErrorCode((409,), "The invitation has already been accepted."),
    "last_admin": ErrorCode((409,), "The platform must keep at least one administrator."),
    "link_expired": ErrorCode((400,), "The link has expired; ask for a new one."),
    "link_used": ErrorCode((400,), "The link has already been used."),
    "login_required": ErrorCode((403,), "Log in first."),
    "login_throttled": ErrorCode((429,), "Too many failed logins; wait before trying again."),
    "malformed_json": ErrorCode((400,), "The body is not valid JSON or not a JSON object."),
    "malformed_request": ErrorCode((400,), "The request is malformed."),
    "market_rule_not_found": ErrorCode((404,), "No such market rule."),
    "media_unavailable": ErrorCode((503,), "The media store refused the upload or could not "
                                          "be reached; nothing was created. Retry later."),
    "member_not_found": ErrorCode((404,), "No such member of the organisation."),
    "message_empty": ErrorCode((422,), "An order message has no text."),
    "message_too_long": ErrorCode((422,), "An order message is longer than 2,000 characters."),
    "method_not_allowed": ErrorCode((405,), "The endpoint does not accept that method."),
    "missing_columns": ErrorCode((422,), "The CSV file lacks required columns."),
    "negative_amount": ErrorCode((422,), "The amount must not be negative."),
    "negative_stock": ErrorCode((422,), "The change would make stock negative."),
    "negative_value": ErrorCode((422,), "The number must not be negative."),
    "no_active_warehouse": ErrorCode((409,), "The store has no active warehouse to ship from."),
    "no_events": ErrorCode((422,), "The tracking webhook body holds no events."),
    "no_shipping_rate": ErrorCode((422,), "No shipping rate covers this destination or "
                                          "weight."),
    "no_valid_rows": ErrorCode((409,), "No row of the CSV file is valid."),
    "not_comment_author": ErrorCode((403,), "Only the comment's author may do this."),
    "not_found": ErrorCode((404, 422), "No such resource, or not yours."),
    "not_note_author": ErrorCode((403,), "Only the note's author may do this."),
    "not_ready": ErrorCode((422,), "The product lacks what it needs to go live (e.g. an HS "
                                   "code)."),
    "not_returnable": ErrorCode((409,), "Nothing of this order can be returned: nothing of "
                                     "it has been delivered yet."),
    "not_translatable": ErrorCode((404,), "That kind of content cannot be translated."),
    "note_not_found": ErrorCode((404,), "No such note."),
    "nothing_to_refund": ErrorCode((422,), "The refund names nothing to return."),
    "order_message_not_found": ErrorCode((404,), "No such message on an order of yours or "
                                                 "of your store (translation)."),
    "order_message_rate_limited": ErrorCode((429,), "Too many messages by one person on one "
                                                    "order in the last hour."),
    "order_not_refundable": ErrorCode((409,), "The order cannot be refunded in its current "
                                              "status."),
    "order_not_shippable": ErrorCode((409, 422), "The order is not paid, or was cancelled or "
                                                 "refunded in full (422: a row of a bulk "
                                                 "shipping report)."),
    "owner_must_transfer": ErrorCode((409,), "The owner must hand ownership to someone else "
                                             "first."),
    "owner_only": ErrorCode((403,), "Only the organisation's owner may do this."),
    "own_note": ErrorCode((422,), "A person cannot turn down their own note in Discover."),
    "owner_protected": ErrorCode((403,), "The owner cannot be removed or demoted."),
    "ownership_changed": ErrorCode((409,), "Ownership changed meanwhile; reload and retry."),
    "payload_too_large": ErrorCode((413,), "The request body is too large."),
    "payment_provider_unavailable": ErrorCode((503,), "The payment service is unavailable; "
                                                      "nothing was charged. Retry later."),
    "payment_rejected": ErrorCode((422,), "The card processor refused the payment."),
    "product_not_found": ErrorCode((404,), "No such product."),
    "quote_already_paid": ErrorCode((409,), "The quote has already been paid."),
    "quote_expired": ErrorCode((409,), "The quote expired; ask for a new one."),
    "quote_not_payable": ErrorCode((409,), "The quote cannot be paid in its current state."),
    "rate_limited": ErrorCode((429,), "Too many requests; see the Retry-After header."),
    "rate_source_unavailable": ErrorCode((502,), "The exchange-rate source could not be "
                                                 "reached."),
    "rate_unavailable": ErrorCode((409,), "No exchange rate is available for this currency "
                                          "pair."),
    "reason_required": ErrorCode((422,), "A stock adjustment needs a reason for the ledger."),
    "refund_exceeds_captured": ErrorCode((422,), "The refund is larger than what remains "
                                                 "captured."),
    "refund_failed": ErrorCode((422,), "The card processor did not make the refund."),
    "refund_quantity_exceeded": ErrorCode((422,), "More units than remain refundable on the "
                                                  "line."),
    "reservation_ended": ErrorCode((409,), "The stock reservation has already ended."),
    "restricted_destination": ErrorCode((422,), "The product cannot be shipped to that "
                                                "country."),
    "return_quantity_exceeded": ErrorCode((422,), "More units than were delivered, minus those "
                                                  "already in a return and those refunded."),
    "return_window_closed": ErrorCode((422,), "The store's return window for the line has passed "
                                              "(counted from the delivery of its parcel), or the "
                                              "store takes no returns."),
    "role_not_found": ErrorCode((404,), "No such role."),
    "rule_not_current": ErrorCode((409,), "That moderation rule was already changed or "
                                          "removed; edit its current version."),
    "rules_changed_concurrently": ErrorCode((409,), "Someone else changed the same market's "
                                                    "moderation rules at the same moment; "
                                                    "try again."),
    "same_warehouse": ErrorCode((422,), "A transfer needs two different warehouses."),
    "ship_quantity_exceeded": ErrorCode((422,), "More units than are left to ship on the "
                                                "order line (ordered - refunded - shipped)."),
    "shipping_already_refunded": ErrorCode((422,), "The shipping has already been refunded."),
    "slug_taken": ErrorCode((409, 422), "Another store already uses this address."),
    "stale_rate": ErrorCode((409,), "The exchange rate is too old to price with."),
    "stock_changed": ErrorCode((409,), "The stock kept changing meanwhile; retry."),
    "too_many_boards": ErrorCode((422,), "You have as many boards as allowed."),
    "too_many_events": ErrorCode((422,), "The tracking webhook batch holds more events than "
                                         "allowed."),
    "too_many_images": ErrorCode((422,), "The product has as many images as allowed."),
    "too_many_invitations": ErrorCode((409,), "Too many pending invitations; revoke some "
                                              "first."),
    "too_many_rows": ErrorCode((422,), "The CSV file has more rows than allowed; split it."),
    "topic_not_found": ErrorCode((404,), "No such topic."),
    "tracking_number_taken": ErrorCode((409, 422), "Another shipment already uses this "
                                                   "carrier's tracking number (422: a row of "
                                                   "a bulk shipping report)."),
    "tracking_webhook_disabled": ErrorCode((503,), "Tracking webhooks are not configured here yet; "
                                                   "retry later."),
    "translation_unavailable": ErrorCode((503,), "The translation service is unavailable; "
                                                 "retry later."),
    "unauthorized": ErrorCode((401,), "Credentials are missing or wrong."),
    "undecodable_file": ErrorCode((422,), "The file is not readable text; save it as CSV "
                                          "UTF-8."),
    "unknown_carrier": ErrorCode((422,), "No carrier in the registry has that code."),
    "unknown_columns": ErrorCode((422,), "The CSV file has columns Qiao does not know."),
    "unknown_currency": ErrorCode((422,), "Not an ISO 4217 currency code."),
    "unknown_document": ErrorCode((404,), "No such customs document kind."),
    "unknown_field": ErrorCode((422,), "The body names a field this endpoint does not know."),
    "unknown_order": ErrorCode((422,), "No order of this store has that reference or number."),
    "unknown_order_line": ErrorCode((422,), "The order has no line with that id."),
    "unknown_sku": ErrorCode((422,), "No variant with that SKU in this store."),
    "unknown_warehouse": ErrorCode((422,), "No such warehouse in this store."),
    "unsafe_pattern": ErrorCode((422,), "A moderation rule's pattern is a valid regular "
                                        "expression that could take exponential time (a "
                                        "back-reference, or a repetition inside a repeated "
                                        "group such as (a+)+); `fields.term` says so."),
    "unsupported_currency": ErrorCode((422,), "Checkout does not support that currency."),
    "unsupported_media_type": ErrorCode((400, 415), "The body's content type is not accepted "
                                                    "here."),
    "use_transfer": ErrorCode((422,), "Make someone owner by transferring ownership, not by "
                                      "changing a role."),
    "user_not_found": ErrorCode((404,), "No such user."),
    "validation_failed": ErrorCode((422,), "Input failed validation; `fields` names each bad "
                                           "field."),
    "variant_unavailable": ErrorCode((409,), "The variant is no longer for sale."),
    "warehouse_inactive": ErrorCode((422,), "The warehouse is inactive."),
    "warehouse_not_empty": ErrorCode((409,), "The warehouse still holds stock."),
    "outside_moderator_scope": ErrorCode((403,), "The moderation item is outside the moderator's "
                                                 "markets and languages; the attempt is logged."),
    "moderation_item_not_found": ErrorCode((404,), "No such moderation item or decision (or not "
                                                   "yours)."),
    "case_claimed_by_other": ErrorCode((409,), "Another moderator has claimed the item; only "
                                               "they can decide it. The attempt is logged."),
    "case_already_decided": ErrorCode((409,), "The moderation item (or its appeal) has already "
                                              "been decided."),
    "case_not_claimed": ErrorCode((409,), "You cannot release an item you have not claimed."),
    "appeal_needs_other_moderator": ErrorCode((403,), "The moderator who made a decision cannot "
                                                      "decide its appeal."),
    "already_appealed": ErrorCode((409,), "The decision has already been appealed; an author "
                                          "appeals once."),
    "appeal_final": ErrorCode((409,), "The appeal has been decided; that outcome is final and "
                                      "cannot be appealed."),
    "nothing_to_appeal": ErrorCode((422,), 'There is no decision against the item to appeal.'),
    "action_not_for_campaign": ErrorCode((422,), "An ad campaign in the queue can only be "
                                                 "approved or rejected (remove)."),
    "invalid_filter": ErrorCode((422,), 'A queue filter has an unknown value.'),
    "account_suspended": ErrorCode((403,), "The account is suspended by moderation; it cannot "
                                           "post or comment until the date given."),
    "posting_restricted": ErrorCode((403,), "After repeated removals the account cannot post or "
                                            "comment until the date given."),
    "new_account_link_limit": ErrorCode((429,), 'New accounts may post only a few links a day.'),
    "new_account_mention_limit": ErrorCode((429,), "New accounts may @mention only a few people "
                                                   "a day."),
    # Advertising (brand accounts, campaigns, partnerships, top-ups).
    "ad_account_not_open": ErrorCode((404, 409), "No ad account is open yet: choose its "
                                                 "billing currency first."),
    "bid_below_minimum": ErrorCode((422,), "The bid is below the lowest bid for its pricing "
                                           "model and currency."),
    "budget_below_bid": ErrorCode((422,), "The budget does not cover one bid."),
    "campaign_not_editable": ErrorCode((409,), "Only a draft campaign can be edited."),
    "campaign_not_found": ErrorCode((404,), "No such campaign, or not yours."),
    "creator_not_found": ErrorCode((422,), "No such creator to send a partnership brief to."),
    "daily_cap_above_budget": ErrorCode((422,), "The daily cap is above the total budget."),
    "daily_cap_below_bid": ErrorCode((422,), "The daily cap does not cover one bid."),
    "flight_in_past": ErrorCode((422,), "The campaign's flight starts in the past."),
    "flight_over": ErrorCode((409,), "The campaign's flight ended before it was approved."),
    "flight_reversed": ErrorCode((422,), "The campaign's flight ends before it starts."),
    "flight_too_long": ErrorCode((422,), "A campaign's flight lasts at most a year."),
    "invalid_campaign_transition": ErrorCode((409,), "The campaign cannot take this step "
                                                     "from its current status."),
    "invalid_objective": ErrorCode((422,), "The objective is not awareness, traffic or sales."),
    "invalid_partnership_transition": ErrorCode((409,), "The partnership cannot take this "
                                                        "step from its current status."),
    "note_already_sponsored": ErrorCode((422,), "The note already belongs to another "
                                                "partnership."),
    "note_not_promotable": ErrorCode((422,), "The note is neither the brand's own published "
                                             "note nor a published note of one of its "
                                             "partnerships."),
    "note_not_published": ErrorCode((422,), "The note is still a draft."),
    "partnership_not_found": ErrorCode((404,), "No such partnership, or not yours."),
    "topup_not_found": ErrorCode((404,), "No such top-up, or not yours."),
    "topup_not_refundable": ErrorCode((409,), "Only a paid top-up that was not refunded can "
                                              "be refunded."),
    "unknown_language": ErrorCode((422,), "Not an ISO 639-1 language code."),
    "unknown_topic": ErrorCode((422,), "Nobody has posted with that topic yet."),
    # Guaranteed placements and campaign reports.
    "invalid_placement_dates": ErrorCode((422,), "A placement's days are missing, not YYYY-MM-DD, "
                                                 "not after today, reversed, more than 31 "
                                                 "days or more than 180 days ahead."),
    "invalid_report_dates": ErrorCode((422,), "A report's `from` or `to` is not a YYYY-MM-DD "
                                              "date, `to` is before `from`, or the range is "
                                              "longer than 366 days."),
    "placement_already_started": ErrorCode((409,), "The placement's first day has begun: it "
                                                   "can no longer be cancelled."),
    "placement_hold_expired": ErrorCode((409,), "The 30-minute hold ran out before payment; "
                                                "book the days again."),
    "placement_not_payable": ErrorCode((409,), "Only a held booking can be paid (this one is "
                                               "paid, cancelled or expired)."),
    "placement_unavailable": ErrorCode((409,), "Another live booking holds some of the days; "
                                               "`fields.dates` lists them."),
    "campaign_not_bookable": ErrorCode((409,), "A placement cannot be booked for a rejected "
                                               "or completed campaign."),
    "placement_outside_flight": ErrorCode((422,), "Some days of the placement fall outside "
                                                  "the campaign's flight."),
    "unknown_placement_slot": ErrorCode((404,), "No guaranteed placement on sale has that "
                                                "code."),
    "unknown_country": ErrorCode((422,), "Not an ISO 3166 alpha-2 country code."),
    "coauthor_agreement_required": ErrorCode(
        (409,), "A co-created draft is published only when both authors agree: use POST "
                "/notes/{id}/coauthor/agree."),
    "coauthor_already_accepted": ErrorCode(
        (409,), "The co-author has already accepted this invitation."),
    "coauthor_already_invited": ErrorCode(
        (409,), "The note already has a co-author invited or writing; withdraw that "
                "invitation first."),
    "coauthor_images": ErrorCode(
        (422,), "Images cannot be replaced this way: the author's while the co-author has "
                "images on the note, the co-author's while the author's tags are on them."),
    "coauthor_invitation_expired": ErrorCode(
        (409,), "The invitation expired (after 14 days); the author may invite again."),
    "coauthor_invitation_not_found": ErrorCode(
        (404,), "You have no open invitation to co-author this note."),
    "coauthor_not_accepted": ErrorCode(
        (409,), "The co-author has not accepted the invitation yet."),
    "coauthor_not_found": ErrorCode(
        (404,), "The note has no co-author, or you are neither of its authors."),
    "coauthor_published": ErrorCode(
        (403,), "After publication only the co-author can end the co-authoring (by removing "
                "themselves)."),
    "invalid_coauthor": ErrorCode((422,), "No such creator to invite, or yourself."),
    "note_not_draft": ErrorCode(
        (409,), "The note is already published; this works on drafts only."),
    "best_answer_already_chosen": ErrorCode((409,), "The asker already picked a best answer "
                                                    "to this question; it stays."),
    "invalid_question_side": ErrorCode((422,), "`question_to` must be china, abroad, or empty (not "
                                               "a question)."),
    "invalid_side": ErrorCode((422,), "A topic's side switch is all, china or abroad."),
    "invalid_topic": ErrorCode((422,), "A topic name is letters and digits (any script), up to 40, "
                                       "and not linked to itself."),
    "invalid_topic_choice": ErrorCode((422,), "Pick between 1 and 10 existing topics for a new "
                                              "Discover (`topic_ids`: a list of topic ids)."),
    "invalid_view": ErrorCode((422,), "A topic's view is notes or questions."),
    "not_a_question": ErrorCode((422,), "The note is not a question, so it has no answers to rank "
                                        "or pick."),
    "not_question_author": ErrorCode((403,), "Only the person who asked may pick the best answer."),
    "own_answer": ErrorCode((422,), "The asker cannot pick their own answer as the best one."),
    "topic_has_aliases": ErrorCode((409,), "The topic has linked topics of its own; split those "
                                           "first."),
    "topic_linked_elsewhere": ErrorCode((409,), "The topic is already linked to another topic; "
                                                "split it first."),
    "topic_not_linked": ErrorCode((409,), "The topic is not linked to another topic, so there is "
                                          "nothing to split."),
    "topics_already_linked": ErrorCode((409,), "The two topics are already linked."),
}
