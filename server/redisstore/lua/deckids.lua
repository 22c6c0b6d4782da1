-- deckids: the uploaded decks that have not expired.
-- KEYS: deck ids (sorted set: id → expiry ms).
return {'ok', redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. int(now()), '+inf')}
