// The Orthanc configuration radgate tests and the demo run against: loopback-only traffic,
// authenticated REST, called-AE and modality checks on, only the broker AE allowed.

export const ORTHANC_BINARY = '/usr/sbin/Orthanc';
export const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export interface OrthancConfigInput {
  httpPort: number;
  dicomPort: number;
  aet: string;
  brokerAet: string;
  brokerPort: number;
  users: Readonly<Record<string, string>>;
  storageDirectory: string;
  indexDirectory: string;
}

// PS3.8 9.3.2: an AE title is 1-16 characters of default repertoire, no backslash or control characters.
const AE_TITLE = /^[\x20-\x5b\x5d-\x7e]{1,16}$/;

export function isValidAeTitle(aet: string): boolean {
  return AE_TITLE.test(aet) && aet.trim().length > 0;
}

export function orthancConfig(input: OrthancConfigInput): Record<string, unknown> {
  return {
    Name: input.aet,
    StorageDirectory: input.storageDirectory,
    IndexDirectory: input.indexDirectory,
    StorageCompression: false,
    HttpServerEnabled: true,
    HttpPort: input.httpPort,
    // PACS.md: Orthanc has no bind address; refuse non-loopback HTTP clients instead.
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { ...input.users },
    SslEnabled: false,
    HttpDescribeErrors: false,
    ExecuteLuaEnabled: false,
    RestApiWriteToFileSystemEnabled: false,
    SaveJobs: false,
    DicomServerEnabled: true,
    DicomPort: input.dicomPort,
    DicomAet: input.aet,
    DicomCheckCalledAet: true,
    DicomCheckModalityHost: true,
    DicomAlwaysAllowEcho: false,
    DicomAlwaysAllowStore: false,
    DicomAlwaysAllowFind: false,
    DicomAlwaysAllowFindWorklist: false,
    DicomAlwaysAllowGet: false,
    DicomAlwaysAllowMove: false,
    DicomModalities: {
      broker: {
        AET: input.brokerAet,
        Host: '127.0.0.1',
        Port: input.brokerPort,
        AllowEcho: true,
        AllowFind: true,
        AllowGet: true,
        AllowMove: true,
        AllowStore: true,
        AllowStorageCommitment: false,
        AllowNAction: false,
        AllowNEventReport: false,
      },
    },
    OrthancPeers: {},
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: {
      Enable: true,
      Root: '/dicom-web/',
      EnableWado: true,
      WadoRoot: '/wado',
      Host: `127.0.0.1:${input.httpPort}`,
      Ssl: false,
    },
  };
}
