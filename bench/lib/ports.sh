# Sourced by the benchmark scripts that start servers of their own: a free loopback port, waiting until one listens, and
# waiting until a Coffer server has finished its start-up warm-up.
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_for_port() {
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  return 1
}
# wait_for_warm_up LOG: waits until the server writing LOG has finished its start-up warm-ups (the request path's, then
# the inventory pipeline's, which logs last, done or failed), so that a measurement of its CPU per request does not
# count the warm-ups' compiles and runs.
wait_for_warm_up() {
  for _ in $(seq 1 1200); do
    if grep -q "Inventory: warm-up" "$1"; then return 0; fi
    sleep 0.1
  done
  echo "no end of the inventory warm-up in $1" >&2
  return 1
}
