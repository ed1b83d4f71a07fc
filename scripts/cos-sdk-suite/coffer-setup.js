// Points every client of the suite at Coffer: COS instances get Protocol http: and Ip, and the suite's own
// `request` calls to *.myqcloud.com / *.tencentcos.cn go to the same address with the host name in the Host header.
var RealCOS = require('../index');
var realRequest = require('request');
var ip = process.env.COFFER_IP;
function COS(options) {
  return new RealCOS(Object.assign({}, options, { Protocol: 'http:', Ip: ip }));
}
Object.assign(COS, RealCOS);
COS.prototype = RealCOS.prototype;
function redirect(options) {
  if (typeof options === 'string') options = { url: options };
  var url = options.url || options.uri;
  if (typeof url === 'string' && /^https?:\/\/[^\/]*(myqcloud\.com|tencentcos\.cn)/.test(url)) {
    options = Object.assign({}, options);
    options.headers = Object.assign({}, options.headers);
    options.url = url.replace(/^https?:\/\/([^\/]+)/, function (all, host) {
      options.headers.Host = host;
      return 'http://' + ip;
    });
    delete options.uri;
  }
  return options;
}
function request(options, callback) {
  return realRequest(redirect(options), callback);
}
Object.assign(request, realRequest);
module.exports = { COS: COS, request: request };
