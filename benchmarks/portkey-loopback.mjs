// Loaded with `node --import` before the Portkey gateway by gateway-comparison.sh: the
// gateway's start script takes a port but no host and listens on every address; this binds
// a server that names no host to loopback instead, so the gateway is reachable from this
// machine only. Nothing else of the gateway changes.
import net from 'node:net';

const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function (port, host, ...rest) {
  if (typeof port === 'number' && (host === undefined || typeof host === 'function')) {
    return (host === undefined)
      ? listen.call(this, port, '127.0.0.1', ...rest)
      : listen.call(this, port, '127.0.0.1', host, ...rest);
  }
  return listen.call(this, port, host, ...rest);
};
