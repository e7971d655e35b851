package sftest

// accessFacts: who may do what (access.go).
//
//   - [C] frontdoor.jsp turns an access token into a UI session only when
//     the token has the web or full OAuth scope; users with API Only User
//     can use bridged sessions only to change their password (Salesforce
//     Help KB 000386254; Help "Using Frontdoor.jsp to Bridge an Existing
//     Session Into Salesforce", xcloud.security_frontdoorjsp). [I] A
//     refused session is sent to the login page, as an invalid one is.
//   - [C] The token endpoint's answer carries scope, the scopes granted
//     (Help xcloud.remoteaccess_oauth_jwt_flow and
//     xcloud.remoteaccess_oauth_client_credentials_flow); a JWT-format
//     token carries them in its scp claim. [I] The fake grants "api web
//     refresh_token" (DefaultScopes) unless SetClientScopes says otherwise.
//   - [C] For an admin-approved connected app, only users with one of the
//     app's profiles or permission sets can use it (Help
//     preauth_user_app_access_through_eca); ConnectedApp metadata lists them
//     in profileName and permissionSetName (Metadata WSDL v66.0). Service
//     Cloud Voice grants a contact center's users that access by its
//     permission set (Help voice_amazon_config_sso). [I] The permission
//     set's API name ContactCenterAdminAmazonConnect and label "Contact
//     Center Admin (Amazon Connect)".
//   - [C] A user without that access who opens the app's IdP-initiated
//     login gets "Insufficient Privileges" (Salesforce KB 005316458, "SSO
//     Authentication Error Scenarios for Salesforce Voice"). [I] The page
//     is HTML with status 200 and carries no SAMLResponse.
//   - [C] SetupEntityAccess (API 25.0+) has ParentId (a PermissionSet),
//     SetupEntityId and SetupEntityType, ConnectedApplication for connected
//     apps (API 28.0+); "to grant users access to an entity, associate the
//     appropriate SetupEntityAccess record with a PermissionSet that's
//     assigned to a user". PermissionSetAssignment (API 22.0+) has AssigneeId
//     and PermissionSetId. Every profile owns a PermissionSet
//     (IsOwnedByProfile, ProfileId) holding its permissions, whose fields
//     are PermissionsCustomizeApplication, PermissionsModifyMetadata,
//     PermissionsModifyAllData, PermissionsViewSetup, PermissionsApiEnabled
//     (Object Reference for the Salesforce Platform: SetupEntityAccess,
//     PermissionSetAssignment, PermissionSet). [I] PermissionSetAssignment
//     lists the profile-owned permission set of every user too.
//   - [C] SetupEntityType ExternalClientApplication marks access to an
//     external client app (API 60.0+; Object Reference, SetupEntityAccess,
//     Summer '25). [I] An ECA's grants are the profiles and permission sets
//     of its policies (Help preauth_user_app_access_through_eca), kept
//     outside its metadata (GrantExternalClientApp), its SetupEntityId is
//     the ECA's id (its listMetadata id), and its IdP-initiated login
//     refuses a user without one as a connected app's does.
//   - [C] Reading SetupEntityAccess and PermissionSetAssignment needs View
//     Setup and Configuration (Object Reference, "Special Access Rules";
//     PermissionSetAssignment also admits Assign Permission Sets or Manage
//     User, which the fake does not model). [I] Without it a query is
//     answered INVALID_TYPE "sObject type '…' is not supported", as for an
//     object the user cannot see.
//   - The fake's SOQL supports IN with a list of strings, as SOQL does.
