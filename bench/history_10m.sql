-- 10 million history lines in 100 channels, straight into the schema of a store
-- parleyd created (docs/performance.md, History): sqlite3 big.db < history_10m.sql
PRAGMA synchronous = OFF;
PRAGMA cache_size = -200000;
DROP INDEX history_channel;
DROP INDEX history_from;
DROP INDEX history_to;
DROP INDEX history_msgid;
BEGIN;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 10000000)
INSERT INTO history (time, msgid, channel, from_nick, to_nick, from_ident, to_ident, account, tags, line, event)
SELECT 1765000000000 + i * 10, printf('6a5b4c3d2e1f0-%x', i), '#c' || (i % 100), 'user' || (i % 1000), '',
  printf('s:6a5b4c3d2e1f0-%x', i % 1000), '', '', '',
  ':user' || (i % 1000) || '!u@127.0.0.1 PRIVMSG #c' || (i % 100) || ' :message number ' || i || ' said in the channel, about as long as a chat line', 0
FROM s;
COMMIT;
CREATE INDEX history_channel ON history(channel, time) WHERE channel <> '';
CREATE INDEX history_from ON history(from_ident, to_nick, time) WHERE to_nick <> '';
CREATE INDEX history_to ON history(to_ident, from_nick, time) WHERE to_ident <> '';
CREATE INDEX history_msgid ON history(msgid);
PRAGMA wal_checkpoint(TRUNCATE);
