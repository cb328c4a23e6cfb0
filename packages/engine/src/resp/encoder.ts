export { encodeReply, type Protocol, ReplyWriter } from './writer.js';
