/**
 * The Lua scripts that make each change of the shared room atomic in
 * Redis: a commit (names, room events, member records, moderation), a
 * takeover and a reap. Every room event and control record gets the next
 * number of the room's counter as its stream id (`0-N`), so the stream's
 * order is the room's order and a member's "last seen id" means the same
 * on every server. Keys (all with the room's hash tag, one Cluster slot):
 * see `roomKeys`.
 * @module
 */

/** The Redis keys of room `room`. */
export function roomKeys(room: string): {
  log: string;
  seq: string;
  names: string;
  members: string;
  progress: string;
  tokens: string;
  batches: string;
  mod: string;
  servers: string;
  salt: string;
  lease: (srv: string) => string;
} {
  // The hash tag keeps a room's keys in one slot of a Redis Cluster.
  const p = `udpchat:{${room}}:`;
  return {
    log: `${p}log`,
    seq: `${p}seq`,
    names: `${p}names`,
    members: `${p}members`,
    progress: `${p}progress`,
    tokens: `${p}tokens`,
    batches: `${p}batches`,
    mod: `${p}mod`,
    servers: `${p}servers`,
    salt: `${p}salt`,
    lease: (srv) => `${p}lease:${srv}`,
  };
}

/** Keys a script takes, in this order. */
export const SCRIPT_KEYS = [
  "log",
  "seq",
  "names",
  "members",
  "progress",
  "tokens",
  "batches",
  "mod",
] as const;

/** Shared Lua: append to the stream under the room's next number. */
const APPEND = `
local function append(field, json, srv)
  local n = redis.call('INCR', KEYS[2])
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '0-' .. n, 's', srv, field, json)
  return n
end
local function forget(id)
  local rec = redis.call('HGET', KEYS[4], id)
  if rec then
    local r = cjson.decode(rec)
    if r.th then redis.call('HDEL', KEYS[6], r.th) end
  end
  redis.call('HDEL', KEYS[4], id)
  redis.call('HDEL', KEYS[5], id)
end
`;

/**
 * ARGV: server id, batch number, ops (JSON), stream length kept, the
 * newest id the server has seen, REBASE_MARGIN. A batch
 * number at or below the server's last is a retry of a batch that was
 * applied: nothing is done again. Answers one value per op.
 */
export const COMMIT = `${APPEND}
local srv = ARGV[1]
-- A member another server took over: what this one still says of it (it
-- may have been cut off from Redis meanwhile) is too late and is dropped.
local function foreign(id)
  if not id then return false end
  local rec = redis.call('HGET', KEYS[4], id)
  return rec ~= false and cjson.decode(rec).srv ~= srv
end
local batch = tonumber(ARGV[2])
-- Redis lost the room (no persistence): number on above what servers showed.
if tonumber(redis.call('GET', KEYS[2]) or '0') < tonumber(ARGV[5]) then
  redis.call('SET', KEYS[2], tonumber(ARGV[5]) + tonumber(ARGV[6]))
end
local last = tonumber(redis.call('HGET', KEYS[7], srv) or '0')
if batch <= last then return {'dup'} end
redis.call('HSET', KEYS[7], srv, batch)
local out = {}
for i, op in ipairs(cjson.decode(ARGV[3])) do
  local o = op.o
  local v = 0
  if foreign(op.by) then
    o = 'foreign'
  end
  if o == 'claim' then
    local owner = redis.call('HGET', KEYS[3], op.key)
    if not owner then
      redis.call('HSET', KEYS[3], op.key, op.id)
      v = 1
    elseif tonumber(owner) == op.id then
      v = 1
    end
  elseif o == 'release' then
    if tonumber(redis.call('HGET', KEYS[3], op.key) or '-1') == op.id then
      redis.call('HDEL', KEYS[3], op.key)
    end
  elseif o == 'event' then
    v = append('e', op.e, srv)
    if op.joined then
      if redis.call('HEXISTS', KEYS[4], op.joined) == 0 then
        redis.call('HSET', KEYS[4], op.joined, op.rec)
      end
    elseif op.left then
      forget(op.left)
    end
  elseif o == 'member' then
    redis.call('HSET', KEYS[4], op.id, op.rec)
    if op.th then redis.call('HSET', KEYS[6], op.th, op.id) end
  elseif o == 'next' then
    redis.call('HSET', KEYS[5], op.id, op.p)
  elseif o == 'name' or o == 'away' then
    local rec = redis.call('HGET', KEYS[4], op.id)
    if rec then
      local r = cjson.decode(rec)
      if o == 'name' then r.name = op.name else r.away = op.reason end
      redis.call('HSET', KEYS[4], op.id, cjson.encode(r))
    end
  elseif o == 'gone' then
    forget(op.id)
  elseif o == 'mod' then
    redis.call('SET', KEYS[8], op.c)
    v = append('c', op.c, srv)
  elseif o == 'kick' then
    v = append('c', op.c, srv)
  end
  out[i] = v
end
return out
`;

/**
 * ARGV: member id, token hash, new server, stream length kept, the control
 * record (JSON). Moves the member's session to the new server when the
 * token hash is its own; answers its record and progress, or nil.
 */
export const TAKE_OVER = `${APPEND}
local rec = redis.call('HGET', KEYS[4], ARGV[1])
if not rec then return nil end
local r = cjson.decode(rec)
if r.th ~= ARGV[2] then return nil end
r.srv = ARGV[3]
rec = cjson.encode(r)
redis.call('HSET', KEYS[4], ARGV[1], rec)
append('c', ARGV[5], ARGV[3])
return {rec, redis.call('HGET', KEYS[5], ARGV[1]) or ''}
`;

/**
 * ARGV: member id, its (dead) server, name key, stream length kept, its
 * leave (the room event, JSON). Forgets the member and records the leave
 * only if it is still on that server: one caller wins, the rest get 0.
 */
export const REAP = `${APPEND}
local rec = redis.call('HGET', KEYS[4], ARGV[1])
if not rec then return 0 end
if cjson.decode(rec).srv ~= ARGV[2] then return 0 end
forget(ARGV[1])
if tonumber(redis.call('HGET', KEYS[3], ARGV[3]) or '-1') == tonumber(ARGV[1]) then
  redis.call('HDEL', KEYS[3], ARGV[3])
end
return append('e', ARGV[5], ARGV[2])
`;
