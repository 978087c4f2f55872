/**
 * MLflow's `_is_public_ip` (mlflow/utils/validation.py) over Python's ipaddress: IPv6 transition
 * forms (IPv4-mapped, 6to4, NAT64 64:ff9b::/96) are judged by their embedded IPv4 address, then
 * `is_global`.
 */
import { ipAddress, ipInNetwork, ipStr, ipv4, ipv4Mapped, isGlobal, sixtofour } from '../../py/ipaddress.js';

/** `_is_public_ip(ip_address(text))`; undefined when `text` is no IP address (Python: ValueError). */
export function isPublicIp(text: string): boolean | undefined {
  const ip = ipAddress(text);
  if (!ip) return undefined;
  let embedded = ipv4Mapped(ip) ?? sixtofour(ip);
  if (!embedded && ip.version === 6 && ipInNetwork(ip, '64:ff9b::/96'))
    embedded = ipv4(ip.value & 0xffffffffn);
  return isGlobal(embedded ?? ip);
}

/** `str(ip_address(text))` (the text itself when it is no address). */
export function pyIpStr(text: string): string {
  const ip = ipAddress(text);
  return ip ? ipStr(ip) : text;
}
