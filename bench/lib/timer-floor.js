'use strict';
/**
 * The wall-clock floor of nock's playback path: nock answers a request after
 * setImmediate, then setTimeout(respond, 0), then setTimeout(resume body, 0)
 * (node_modules/nock/lib/playback_interceptor.js), and Node clamps a 0 ms
 * timeout to 1 ms. This measures that chain alone, with no request at all.
 */
function measureTimerFloor(samples = 300) {
  return new Promise((resolve) => {
    const times = [];
    const once = () => {
      const started = process.hrtime.bigint();
      setImmediate(() =>
        setTimeout(
          () =>
            setTimeout(() => {
              times.push(Number(process.hrtime.bigint() - started) / 1e3);
              if (times.length < samples) once();
              else {
                times.sort((a, b) => a - b);
                resolve({ medianUs: times[times.length >> 1], p10Us: times[Math.floor(times.length * 0.1)], p90Us: times[Math.floor(times.length * 0.9)], samples });
              }
            }, 0),
          0,
        ),
      );
    };
    once();
  });
}

module.exports = { measureTimerFloor };
