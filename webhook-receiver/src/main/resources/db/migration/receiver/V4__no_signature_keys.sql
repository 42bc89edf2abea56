-- Request signatures are no longer remembered against replays (a caller posting the same body twice is processed
-- twice, as with Flux); only delivery ids are. Forget the signature keys earlier versions stored with an expiry.
DELETE FROM webhook_delivery WHERE expires_at IS NOT NULL;
