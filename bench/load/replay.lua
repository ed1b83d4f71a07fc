-- wrk's script for load.mjs --client wrk: replays requests that load.mjs wrote and signed beforehand, as wrk's own
-- SCRIPTING notes advise for fast servers (a table lookup a request, no request built in Lua), and stops when COUNT
-- answers have arrived. Arguments after wrk's "--": the file of requests one after the other, the file of their
-- lengths (one a line), COUNT. Run with one thread: each of the file's requests is sent once (wrk's check of the script
-- takes the first, so it goes last), then it starts again from the first for the few sent while the last answers are
-- awaited (at most one a connection; the server may run them). done() prints one JSON line: what was answered, the
-- latency percentiles as wrk reports them (corrected by wrk for coordinated omission: it adds samples for answers slower
-- than twice the mean interval, so they are not raw times) and wrk's own CPU time after init.

local ffi = require("ffi")
ffi.cdef [[
  int getpid(void);
  long syscall(long number, ...);
]]
-- tgkill's number is x86_64's.
assert(jit.arch == "x64", "replay.lua wakes wrk with x86_64's tgkill system call")
local SYS_tgkill, SIGINT = 234, 2

local threads = {}
local requests = {}
local total = 0
local sent = 0
local answered = 0
local wanted = 0
-- Answers other than 200 (wrk's own error count takes only statuses over 399), read by done() through the thread.
not_ok = 0
init_ticks = 0

function setup(thread)
  table.insert(threads, thread)
end

-- utime + stime of this process, every thread's, in clock ticks (100 a second on Linux).
local function cpu_ticks()
  local fields = {}
  local stat = assert(io.open("/proc/self/stat", "r")):read("*a")
  for field in stat:match("%) (.*)"):gmatch("%S+") do
    fields[#fields + 1] = field
  end
  return tonumber(fields[12]) + tonumber(fields[13])
end

function init(args)
  local data = assert(io.open(args[1], "rb")):read("*a")
  local at = 1
  for length in io.lines(args[2]) do
    local n = tonumber(length)
    total = total + 1
    requests[total] = data:sub(at, at + n - 1)
    at = at + n
  end
  wanted = tonumber(args[3])
  -- What reading the files cost is not the client's cost a request: done() counts from here.
  init_ticks = cpu_ticks()
end

function request()
  local r = requests[sent % total + 1]
  sent = sent + 1
  return r
end

function response(status)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
  answered = answered + 1
  if answered == wanted then
    -- Stopping the thread alone leaves wrk's main thread asleep for the whole -d; SIGINT sent to that thread (its id
    -- is the process's) wakes it to end the run and report a duration that ends here.
    wrk.thread:stop()
    local pid = ffi.C.getpid()
    ffi.C.syscall(SYS_tgkill, ffi.cast("long", pid), ffi.cast("long", pid), ffi.cast("long", SIGINT))
  end
end

function done(summary, latency)
  local e = summary.errors
  local refused, init_ticks = 0, 0
  for _, thread in ipairs(threads) do
    refused = refused + thread:get("not_ok")
    init_ticks = init_ticks + thread:get("init_ticks")
  end
  io.write(string.format(
    '{"requests":%d,"durationMicros":%d,"bytes":%d,"p50Micros":%d,"p99Micros":%d,"cpuTicks":%d,"notOk":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99), cpu_ticks() - init_ticks, refused,
    e.connect, e.read, e.write, e.status, e.timeout))
end
