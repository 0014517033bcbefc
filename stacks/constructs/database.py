"""Aurora PostgreSQL Serverless v2: encrypted, backed up, reachable only from named peers."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from constructs import Construct

ENGINE_VERSION = rds.AuroraPostgresEngineVersion.VER_16_6
POSTGRES_PORT = 5432
ADMIN_USER = "chalkops_admin"


class AuroraDatabase(Construct):
    """One Aurora cluster with IAM authentication and TLS forced.

    No password is written into a template: the admin credential is generated into Secrets
    Manager at deploy time and handed once to Vault's database secrets engine, which then issues
    short-lived roles to the functions (and rotates the admin credential itself).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        cluster_identifier: str,
        database_name: str,
        development: bool,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        self.database_name = database_name
        self.security_group = self._build_security_group(vpc)
        self.key = self._build_key(cluster_identifier)
        log_group = self._build_log_group(cluster_identifier, log_retention)
        self.cluster = self._build_cluster(
            vpc=vpc,
            subnets=subnets,
            cluster_identifier=cluster_identifier,
            development=development,
        )
        self.cluster.node.add_dependency(log_group)

    @property
    def endpoint(self) -> str:
        return self.cluster.cluster_endpoint.hostname

    @property
    def admin_secret_arn(self) -> str:
        """The generated admin credential, read once by ``chalkops vault-apply``."""
        secret = self.cluster.secret
        if secret is None:  # from_generated_secret always attaches one
            raise RuntimeError("the database has no admin secret")
        return secret.secret_arn

    def connection_environment(self, vault_role: str) -> dict[str, str]:
        """``CHALKOPS_DATABASE__*`` for a function whose login comes from Vault role ``vault_role``.

        ``sslmode=require``: the server forces TLS (``rds.force_ssl``); verifying the RDS
        certificate chain (``verify-full``) needs the RDS CA bundle shipped in the layer.
        """
        return {
            "CHALKOPS_DATABASE__HOST": self.endpoint,
            "CHALKOPS_DATABASE__PORT": str(POSTGRES_PORT),
            "CHALKOPS_DATABASE__DBNAME": self.database_name,
            "CHALKOPS_DATABASE__CREDENTIALS": "vault",
            "CHALKOPS_DATABASE__VAULT_ROLE": vault_role,
            "CHALKOPS_DATABASE__SSLMODE": "require",
        }

    def allow_from(self, peer: ec2.SecurityGroup, description: str) -> None:
        """Open the PostgreSQL port to one security group, and nothing more."""
        self.security_group.add_ingress_rule(peer, ec2.Port.tcp(POSTGRES_PORT), description)

    def allow_from_cidr(self, cidr: str, description: str) -> None:
        self.security_group.add_ingress_rule(
            ec2.Peer.ipv4(cidr), ec2.Port.tcp(POSTGRES_PORT), description
        )

    def _build_key(self, cluster_identifier: str) -> kms.Key:
        # A key of its own: the database's data can then be cut off (key disabled) or audited
        # (CloudTrail on this key) independently of anything else.
        return kms.Key(
            self,
            "Key",
            enable_key_rotation=True,
            description=f"ChalkOps database {cluster_identifier}",
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _build_security_group(self, vpc: ec2.IVpc) -> ec2.SecurityGroup:
        # A database initiates no connections.
        return ec2.SecurityGroup(
            self, "SecurityGroup", vpc=vpc, allow_all_outbound=False, description="Aurora"
        )

    def _build_log_group(
        self, cluster_identifier: str, retention: logs.RetentionDays
    ) -> logs.LogGroup:
        # Created here (rather than by RDS on first write) so that it has a retention period.
        return logs.LogGroup(
            self,
            "PostgresLogs",
            log_group_name=f"/aws/rds/cluster/{cluster_identifier}/postgresql",
            retention=retention,
            removal_policy=RemovalPolicy.DESTROY,
        )

    def _build_parameter_group(self) -> rds.ParameterGroup:
        return rds.ParameterGroup(
            self,
            "Parameters",
            engine=rds.DatabaseClusterEngine.aurora_postgres(version=ENGINE_VERSION),
            parameters={
                "rds.force_ssl": "1",  # encryption in transit for every client
                "log_connections": "1",
                "log_disconnections": "1",
            },
        )

    def _build_cluster(
        self,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        cluster_identifier: str,
        development: bool,
    ) -> rds.DatabaseCluster:
        protected = not development
        # A second instance in another AZ outside development, so a failover does not wait
        # for a new writer to be created.
        readers = (
            [rds.ClusterInstance.serverless_v2("Reader", scale_with_writer=True)]
            if protected
            else []
        )
        return rds.DatabaseCluster(
            self,
            "Cluster",
            engine=rds.DatabaseClusterEngine.aurora_postgres(version=ENGINE_VERSION),
            cluster_identifier=cluster_identifier,
            default_database_name=self.database_name,
            credentials=rds.Credentials.from_generated_secret(ADMIN_USER),
            writer=rds.ClusterInstance.serverless_v2("Writer", publicly_accessible=False),
            readers=readers,
            serverless_v2_min_capacity=0.5,
            serverless_v2_max_capacity=16 if protected else 2,
            vpc=vpc,
            vpc_subnets=subnets,
            security_groups=[self.security_group],
            port=POSTGRES_PORT,
            parameter_group=self._build_parameter_group(),
            storage_encrypted=True,
            storage_encryption_key=self.key,
            iam_authentication=True,
            backup=rds.BackupProps(
                retention=Duration.days(35 if protected else 7),
                preferred_window="02:00-03:00",
            ),
            deletion_protection=protected,
            removal_policy=RemovalPolicy.SNAPSHOT if protected else RemovalPolicy.DESTROY,
            cloudwatch_logs_exports=["postgresql"],
            copy_tags_to_snapshot=True,
        )
