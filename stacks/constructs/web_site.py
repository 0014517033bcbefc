"""The Angular application: a private S3 bucket served only through CloudFront."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

# Published when no Angular build exists yet, so a synth on a fresh clone still works and a
# deployment without the UI answers with an explicit page instead of a 403.
PLACEHOLDER_SITE = Path(__file__).resolve().parent.parent / "web_placeholder"


class WebSite(Construct):
    """Bucket (no public access, TLS only) + Origin Access Control + CloudFront.

    ``api_origin`` (``https://host``) is the only other origin the page may talk to; it goes
    into the Content-Security-Policy's ``connect-src``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        site_dir: Path | None,
        api_origin: str,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        self.site_dir = site_dir or PLACEHOLDER_SITE
        self.log_bucket = self._build_log_bucket()
        self.bucket = self._build_site_bucket()
        self.headers = self._build_security_headers(api_origin)
        self.distribution = self._build_distribution()
        self._build_deployment(log_retention)

    def _build_log_bucket(self) -> s3.Bucket:
        # CloudFront standard logging writes with ACLs, hence object-writer ownership here
        # (and only here: the site bucket keeps ACLs disabled).
        return s3.Bucket(
            self,
            "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365))],
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _build_site_bucket(self) -> s3.Bucket:
        return s3.Bucket(
            self,
            "Site",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=self.log_bucket,
            server_access_logs_prefix="s3/",
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _build_security_headers(self, api_origin: str) -> cloudfront.ResponseHeadersPolicy:
        csp = "; ".join(
            [
                "default-src 'self'",
                "script-src 'self'",
                # Angular sets component styles inline at run time.
                "style-src 'self' 'unsafe-inline'",
                "img-src 'self' data:",
                f"connect-src 'self' {api_origin}",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )
        headers = cloudfront.ResponseSecurityHeadersBehavior(
            content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                content_security_policy=csp, override=True
            ),
            strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                access_control_max_age=Duration.days(730),
                include_subdomains=True,
                preload=True,
                override=True,
            ),
            content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
            frame_options=cloudfront.ResponseHeadersFrameOptions(
                frame_option=cloudfront.HeadersFrameOption.DENY, override=True
            ),
            referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                override=True,
            ),
        )
        return cloudfront.ResponseHeadersPolicy(
            self, "SecurityHeaders", security_headers_behavior=headers
        )

    def _build_distribution(self) -> cloudfront.Distribution:
        # The single-page app routes in the browser: unknown paths get index.html.
        spa_fallback = [
            cloudfront.ErrorResponse(
                http_status=status,
                response_http_status=200,
                response_page_path="/index.html",
                ttl=Duration.seconds(0),
            )
            for status in (403, 404)
        ]
        return cloudfront.Distribution(
            self,
            "Distribution",
            comment="ChalkOps web application",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.headers,
            ),
            error_responses=spa_fallback,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=True,
            log_bucket=self.log_bucket,
            log_file_prefix="cloudfront/",
        )

    def _build_deployment(self, log_retention: logs.RetentionDays) -> None:
        log_group = logs.LogGroup(
            self, "DeploymentLogs", retention=log_retention, removal_policy=RemovalPolicy.DESTROY
        )
        s3_deployment.BucketDeployment(
            self,
            "Deployment",
            sources=[s3_deployment.Source.asset(str(self.site_dir))],
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
            log_group=log_group,
            memory_limit=512,
        )
