// Writes LENGTH bytes of BLOCK, repeated as often as needed, to a writable stream (a request or a response), waiting for
// 'drain' whenever the stream's buffer is full, then ends it. Shared by the load client and the null server.
export function writeRepeated(stream, block, length) {
  let left = length;
  const write = () => {
    while (left > 0) {
      const part = left >= block.length ? block : block.subarray(0, left);
      left -= part.length;
      if (!stream.write(part)) {
        stream.once('drain', write);
        return;
      }
    }
    stream.end();
  };
  write();
}
