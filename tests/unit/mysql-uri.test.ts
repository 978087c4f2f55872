import { describe, expect, it } from 'vitest';
import { parseBackendUri } from '../../src/stores/uri.js';

describe('MySQL backend store URIs, as SQLAlchemy reads them', () => {
  it('takes every driver spelling MLflow accepts', () => {
    for (const uri of [
      'mysql://alice:s3cret@db.example:3307/mlflow',
      'mysql+pymysql://alice:s3cret@db.example:3307/mlflow',
      'mysql+mysqldb://alice:s3cret@db.example:3307/mlflow',
    ]) {
      expect(parseBackendUri(uri)).toEqual({
        dialect: 'mysql',
        mysql: {
          host: 'db.example',
          port: 3307,
          user: 'alice',
          password: 's3cret',
          database: 'mlflow',
          charset: 'utf8mb4',
        },
      });
    }
  });

  it('decodes percent-escapes and defaults the port, and reads the query options that apply', () => {
    const loc = parseBackendUri(
      'mysql+pymysql://us%40er:p%3Ass%2Fw@[::1]/my%20db?charset=utf8mb4&ssl_ca=/etc/ca.pem&ssl_cert=/c.pem&ssl_key=/k.pem&ssl_verify_cert=false&unix_socket=/run/mysqld.sock&connect_timeout=7&binary_prefix=true',
    );
    expect(loc).toEqual({
      dialect: 'mysql',
      mysql: {
        host: '::1',
        port: 3306,
        user: 'us@er',
        password: 'p:ss/w',
        database: 'my db',
        charset: 'utf8mb4',
        socketPath: '/run/mysqld.sock',
        connectTimeoutS: 7,
        ssl: { ca: '/etc/ca.pem', cert: '/c.pem', key: '/k.pem', verifyCert: false },
      },
    });
  });

  it('has no password when the URI gives none', () => {
    const loc = parseBackendUri('mysql://root@localhost/db');
    expect(loc.dialect === 'mysql' && loc.mysql.password).toBeUndefined();
  });

  it('still refuses engines mlflow-ts does not serve', () => {
    expect(() => parseBackendUri('mssql+pyodbc://u@h/db')).toThrow(
      /Supported database engines are sqlite, postgresql and mysql/,
    );
  });
});
