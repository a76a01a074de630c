import { execFileSync } from 'node:child_process';

// Archives no GNU tar would write (duplicates, devices, names outside), as a compromised instance sends.

/** A tar archive made by python3's tarfile from `entries` (JSON: name, type, and optional mode, uid, data, link). */
export function craftedTar(path: string, entries: object[]): void {
  const script = `
import io, json, sys, tarfile
kinds = {'file': tarfile.REGTYPE, 'dir': tarfile.DIRTYPE, 'symlink': tarfile.SYMTYPE, 'hardlink': tarfile.LNKTYPE,
         'char': tarfile.CHRTYPE, 'block': tarfile.BLKTYPE, 'fifo': tarfile.FIFOTYPE}
with tarfile.open(sys.argv[1], 'w', format=tarfile.GNU_FORMAT) as tar:
    for entry in json.loads(sys.argv[2]):
        info = tarfile.TarInfo(entry['name'])
        info.type = kinds[entry['type']]
        info.mode = entry.get('mode', 0o644)
        info.uid = entry.get('uid', 0)
        info.uname = entry.get('uname', 'root')
        info.linkname = entry.get('link', '')
        info.devmajor, info.devminor = entry.get('dev', (0, 0))
        data = entry.get('data', '').encode()
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
`;
  execFileSync('python3', ['-c', script, path, JSON.stringify(entries)]);
}
