import { InstanceAuditLog } from './AuditLog';

/** The whole instance's audit log (instance admins): the organization log's viewer without the organization. */
export default InstanceAuditLog;
