// Measures a testbed path the way a user would check a link: round trip (TCP connect), and the rate of a
// bulk download and upload over one TCP connection each.
//   node link-probe.mjs sink ADDRESS PORT        serves probes until killed; prints `listening`, then `from ADDRESS` per connection
//   node link-probe.mjs probe ADDRESS PORT BYTES prints {"connectMs","downMbit","upMbit"} as JSON
//   node link-probe.mjs udp-sink ADDRESS PORT    prints `listening`, then {"received","outOfOrder"} once 1 s passes without a datagram
//   node link-probe.mjs udp-send ADDRESS PORT COUNT sends COUNT numbered 1200-byte datagrams, 10 at a time every 20 ms (4.8 Mbit/s)
// A probe sends 'D' or 'U' and a 32-bit size: the sink then sends that many bytes, or reads them and answers 1 byte.
import { createSocket } from 'node:dgram';
import { createConnection, createServer } from 'node:net';

const [mode, address, portText, bytesText] = process.argv.slice(2);
const port = Number(portText);

function sink() {
  const server = createServer((socket) => {
    console.log(`from ${socket.remoteAddress}`);
    let header = Buffer.alloc(0);
    let uploadLeft = -1;
    socket.on('data', (chunk) => {
      if (uploadLeft >= 0) {
        uploadLeft -= chunk.length;
        if (uploadLeft <= 0) socket.end(Buffer.from('k'));
        return;
      }
      header = Buffer.concat([header, chunk]);
      if (header.length < 5) return;
      const size = header.readUInt32BE(1);
      if (header[0] === 0x44) {
        socket.end(Buffer.alloc(size, 1));
      } else {
        uploadLeft = size - (header.length - 5);
        if (uploadLeft <= 0) socket.end(Buffer.from('k'));
      }
    });
    socket.on('error', () => socket.destroy());
  });
  server.listen(port, address, () => console.log('listening'));
}

function connect() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = createConnection({ host: address, port }, () => resolve({ socket, connectMs: performance.now() - started }));
    socket.once('error', reject);
  });
}

function command(letter, size) {
  const header = Buffer.alloc(5);
  header[0] = letter.charCodeAt(0);
  header.writeUInt32BE(size, 1);
  return header;
}

async function download(size) {
  const { socket } = await connect();
  return new Promise((resolve, reject) => {
    let received = 0;
    let started = 0;
    socket.on('data', (chunk) => {
      if (received === 0) started = performance.now();
      received += chunk.length;
    });
    // Timed from the first byte, so the request's round trip is not counted as transfer time.
    socket.on('end', () => resolve((received * 8) / 1e6 / ((performance.now() - started) / 1000)));
    socket.on('error', reject);
    socket.write(command('D', size));
  });
}

async function upload(size) {
  const { socket } = await connect();
  return new Promise((resolve, reject) => {
    const started = performance.now();
    socket.on('data', () => resolve((size * 8) / 1e6 / ((performance.now() - started) / 1000)));
    socket.on('error', reject);
    socket.write(command('U', size));
    socket.write(Buffer.alloc(size, 2));
  });
}

async function probe() {
  const size = Number(bytesText);
  const rtts = [];
  for (let i = 0; i < 5; i++) {
    const { socket, connectMs } = await connect();
    rtts.push(connectMs);
    socket.destroy();
  }
  const connectMs = rtts.sort((a, b) => a - b)[2];
  const downMbit = await download(size);
  const upMbit = await upload(size);
  console.log(JSON.stringify({ connectMs, downMbit, upMbit }));
}

// A datagram that arrives numbered below one already seen arrived out of order: a path that reorders a
// flow (as a delay line breaking ties in no particular order would) makes SCTP and TCP see losses.
function udpSink() {
  const socket = createSocket('udp4');
  let received = 0;
  let highest = -1;
  let outOfOrder = 0;
  let idle;
  socket.on('message', (message) => {
    const n = message.readUInt32BE(0);
    received++;
    if (n < highest) outOfOrder++;
    highest = Math.max(highest, n);
    clearTimeout(idle);
    idle = setTimeout(() => {
      console.log(JSON.stringify({ received, outOfOrder }));
      process.exit(0);
    }, 1000);
  });
  socket.bind(port, address, () => console.log('listening'));
}

async function udpSend() {
  const socket = createSocket('udp4');
  const count = Number(bytesText);
  for (let n = 0; n < count; n++) {
    const datagram = Buffer.alloc(1200);
    datagram.writeUInt32BE(n, 0);
    socket.send(datagram, port, address);
    if (n % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  socket.close();
}

if (mode === 'sink') sink();
else if (mode === 'probe') await probe();
else if (mode === 'udp-sink') udpSink();
else if (mode === 'udp-send') await udpSend();
else {
  console.error('usage: link-probe.mjs sink ADDRESS PORT | probe ADDRESS PORT BYTES | udp-sink ADDRESS PORT | udp-send ADDRESS PORT COUNT');
  process.exit(2);
}
