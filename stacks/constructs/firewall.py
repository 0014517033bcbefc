"""AWS WAF in front of the central API, with IP sets that mirror the ChalkOps IP blacklist."""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

# Requests per client address per five minutes before WAF answers 403 on its own.
RATE_LIMIT_PER_IP = 1000


class ApiFirewall(Construct):
    """A regional web ACL: blacklist IP sets, AWS managed rules, a per-address rate limit.

    The blacklist's source of truth is the global database (``ip_blacklist``). The central API
    function is granted write access to exactly these two IP sets, so the control plane updates
    them in the same operation that changes the table; WAF then drops those addresses before
    API Gateway or Lambda spend anything on them.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, stage: apigw.Stage, name_prefix: str
    ) -> None:
        super().__init__(scope, construct_id)
        self.blacklist_ipv4 = self._build_ip_set(
            "BlacklistIpv4", f"{name_prefix}-blacklist-v4", "IPV4"
        )
        self.blacklist_ipv6 = self._build_ip_set(
            "BlacklistIpv6", f"{name_prefix}-blacklist-v6", "IPV6"
        )
        self.web_acl = self._build_web_acl(name_prefix)
        self._build_association(stage)

    def grant_blacklist_sync(self, grantee: iam.IGrantable) -> None:
        """Allow ``grantee`` to read and replace the blacklist IP sets, and nothing else."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["wafv2:GetIPSet", "wafv2:UpdateIPSet"],
                resources=[self.blacklist_ipv4.attr_arn, self.blacklist_ipv6.attr_arn],
            )
        )

    def _build_ip_set(self, construct_id: str, name: str, version: str) -> wafv2.CfnIPSet:
        return wafv2.CfnIPSet(
            self,
            construct_id,
            name=name,
            scope="REGIONAL",
            ip_address_version=version,
            addresses=[],  # filled by the control plane; CloudFormation owns only the set
            description="Mirror of the ChalkOps IP blacklist kept in the global database",
        )

    def _build_web_acl(self, name_prefix: str) -> wafv2.CfnWebACL:
        rules = [
            _ip_set_block_rule("BlacklistIpv4", 0, self.blacklist_ipv4.attr_arn),
            _ip_set_block_rule("BlacklistIpv6", 1, self.blacklist_ipv6.attr_arn),
            _rate_limit_rule("RateLimitPerIp", 2),
            _managed_rule_group("AWSManagedRulesAmazonIpReputationList", 3),
            _managed_rule_group("AWSManagedRulesKnownBadInputsRuleSet", 4),
            _managed_rule_group("AWSManagedRulesCommonRuleSet", 5),
        ]
        return wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=f"{name_prefix}-central-api",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(f"{name_prefix}-central-api"),
            rules=rules,
        )

    def _build_association(self, stage: apigw.Stage) -> None:
        association = wafv2.CfnWebACLAssociation(
            self, "Association", resource_arn=stage.stage_arn, web_acl_arn=self.web_acl.attr_arn
        )
        association.node.add_dependency(stage)


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric_name, sampled_requests_enabled=True
    )


def _ip_set_block_rule(name: str, priority: int, ip_set_arn: str) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            ip_set_reference_statement=wafv2.CfnWebACL.IPSetReferenceStatementProperty(
                arn=ip_set_arn
            )
        ),
        visibility_config=_visibility(name),
    )


def _rate_limit_rule(name: str, priority: int) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                limit=RATE_LIMIT_PER_IP, aggregate_key_type="IP"
            )
        ),
        visibility_config=_visibility(name),
    )


def _managed_rule_group(name: str, priority: int) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS", name=name
            )
        ),
        visibility_config=_visibility(name),
    )
