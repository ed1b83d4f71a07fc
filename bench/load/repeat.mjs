// Writes LENGTH bytes of SOURCE, from its start and again from its start as often as needed, at most PART bytes a write
// (by default the whole of SOURCE), to a writable stream (a request or a response), waiting for 'drain' whenever the
// stream's buffer is full, then ends it. Shared by the load client and the null server.
export function writeRepeated(stream, source, length, part = source.length) {
  let sent = 0;
  const write = () => {
    while (sent < length) {
      const at = sent % source.length;
      const end = Math.min(at + part, source.length, at + length - sent);
      const chunk = at === 0 && end === source.length ? source : source.subarray(at, end);
      sent += chunk.length;
      if (!stream.write(chunk)) {
        stream.once('drain', write);
        return;
      }
    }
    stream.end();
  };
  write();
}
